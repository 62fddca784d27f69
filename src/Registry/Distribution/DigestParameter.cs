using Images.Core.Digests;

namespace Images.Registry.Distribution;

/// <summary>Digests as they arrive in URLs and headers: sha256 and sha512 (Core's <see cref="Digest"/> grammar), else DIGEST_INVALID.</summary>
public static class DigestParameter
{
    public static Digest Parse(string? value, string what = "digest")
    {
        if (Digest.TryParse(value, out var digest, out var error)) return digest;
        throw new RegistryException(ErrorCode.DigestInvalid, $"{what}: {error}");
    }

    /// <summary>True when <paramref name="reference"/> (a manifest reference) looks like a digest rather than a tag.</summary>
    public static bool IsDigestReference(string reference) => reference.Contains(':');
}
