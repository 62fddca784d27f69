using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Images.Core.Digests;

/// <summary>
/// A content digest as the OCI image-spec defines it: <c>algorithm ":" encoded</c>.
/// Only the registered algorithms sha256 and sha512 are accepted; their encoded part is lowercase hex
/// of the exact length, so two digests of the same content always compare equal as strings.
/// </summary>
[JsonConverter(typeof(DigestJsonConverter))]
public readonly record struct Digest
{
    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";

    public string Algorithm { get; }
    public string Encoded { get; }

    private Digest(string algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
    }

    /// <summary>Parses <paramref name="value"/>, throwing <see cref="FormatException"/> that says what is wrong.</summary>
    public static Digest Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out var digest, out var error) ? digest : throw new FormatException(error);
    }

    public static bool TryParse(string? value, out Digest digest) => TryParse(value, out digest, out _);

    public static bool TryParse(string? value, out Digest digest, out string error)
    {
        digest = default;
        if (string.IsNullOrEmpty(value))
        {
            error = "invalid digest \"\": a digest is \"sha256:<64 hex digits>\" or \"sha512:<128 hex digits>\"";
            return false;
        }
        int colon = value.IndexOf(':');
        if (colon <= 0)
        {
            error = $"invalid digest \"{value}\": missing the algorithm prefix (expected \"sha256:<hex>\")";
            return false;
        }
        string algorithm = value[..colon];
        string encoded = value[(colon + 1)..];
        int expected = algorithm switch { Sha256 => 64, Sha512 => 128, _ => -1 };
        if (expected < 0)
        {
            error = $"invalid digest \"{value}\": unsupported algorithm \"{algorithm}\" (use sha256 or sha512)";
            return false;
        }
        if (encoded.Length != expected || !IsLowerHex(encoded))
        {
            error = $"invalid digest \"{value}\": a {algorithm} digest needs exactly {expected} lowercase hex digits";
            return false;
        }
        digest = new Digest(algorithm, encoded);
        error = "";
        return true;
    }

    /// <summary>The digest of <paramref name="data"/> with <paramref name="algorithm"/>.</summary>
    public static Digest Compute(ReadOnlySpan<byte> data, string algorithm = Sha256)
    {
        byte[] hash = algorithm switch
        {
            Sha256 => SHA256.HashData(data),
            Sha512 => SHA512.HashData(data),
            _ => throw new ArgumentException($"unsupported digest algorithm \"{algorithm}\"", nameof(algorithm)),
        };
        return new Digest(algorithm, Convert.ToHexStringLower(hash));
    }

    /// <summary>Reads <paramref name="stream"/> to its end and returns its digest.</summary>
    public static Digest Compute(Stream stream, string algorithm = Sha256)
    {
        using var hasher = DigestHasher.Create(algorithm);
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer)) > 0) hasher.Append(buffer.AsSpan(0, n));
        return hasher.Finish();
    }

    internal static Digest FromHash(string algorithm, byte[] hash) => new(algorithm, Convert.ToHexStringLower(hash));

    public bool IsEmpty => Algorithm is null;

    public override string ToString() => IsEmpty ? "" : $"{Algorithm}:{Encoded}";

    /// <summary>The first 12 hex digits, as Docker shows image ids.</summary>
    public string Short => Encoded.Length > 12 ? Encoded[..12] : Encoded;

    private static bool IsLowerHex(string s)
    {
        foreach (char c in s)
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f')) return false;
        return true;
    }
}

internal sealed class DigestJsonConverter : JsonConverter<Digest>
{
    public override Digest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? s = reader.GetString();
        try { return Digest.Parse(s ?? ""); }
        catch (FormatException e) { throw new JsonException(e.Message, e); }
    }

    public override void Write(Utf8JsonWriter writer, Digest value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
