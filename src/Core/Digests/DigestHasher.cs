using System.Security.Cryptography;

namespace Images.Core.Digests;

/// <summary>Incremental digest computation, for hashing a stream while it is copied elsewhere.</summary>
public sealed class DigestHasher : IDisposable
{
    private readonly IncrementalHash _hash;
    private readonly string _algorithm;

    private DigestHasher(string algorithm, IncrementalHash hash)
    {
        _algorithm = algorithm;
        _hash = hash;
    }

    public static DigestHasher Create(string algorithm = Digest.Sha256) => algorithm switch
    {
        Digest.Sha256 => new(algorithm, IncrementalHash.CreateHash(HashAlgorithmName.SHA256)),
        Digest.Sha512 => new(algorithm, IncrementalHash.CreateHash(HashAlgorithmName.SHA512)),
        _ => throw new ArgumentException($"unsupported digest algorithm \"{algorithm}\" (use sha256 or sha512)", nameof(algorithm)),
    };

    public long BytesHashed { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        _hash.AppendData(data);
        BytesHashed += data.Length;
    }

    /// <summary>The digest of everything appended so far; the hasher is reset afterwards.</summary>
    public Digest Finish() => Digest.FromHash(_algorithm, _hash.GetHashAndReset());

    public void Dispose() => _hash.Dispose();
}
