using System.Collections.Concurrent;
using System.Text.Json;
using Images.Core.Digests;
using Images.Platform;
using Images.Store.Content;

namespace Images.Store.Registry;

/// <summary>
/// Registry upload sessions on disk (<c>registry/uploads/&lt;id&gt;/</c>: <c>session.json</c> and <c>data</c>), so an
/// upload survives a server restart. The data file is flocked by the one writer that appends to it; a session
/// nobody touched for <see cref="Timeout"/> expires. The running hash of each session this process fed is kept
/// in memory (a hash state cannot be saved), so only a session resumed after a restart is hashed again on completion.
/// </summary>
internal sealed class UploadStore(StorePaths paths, ContentStore content, Metadata metadata, Func<IDisposable> enterWrite)
{
    private const string SessionFile = "session.json";
    private const string DataFile = "data";
    private readonly ConcurrentDictionary<string, DigestHasher> _hashers = new();

    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(24);

    public UploadSession Start(string repository)
    {
        ArgumentException.ThrowIfNullOrEmpty(repository);
        string id = Guid.NewGuid().ToString("D");
        string directory = paths.RegistryUpload(id);
        Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow;
        File.WriteAllBytes(Path.Combine(directory, SessionFile), JsonSerializer.SerializeToUtf8Bytes(new SessionJson(repository, now)));
        File.WriteAllBytes(Path.Combine(directory, DataFile), []);
        _hashers[id] = DigestHasher.Create();
        return new UploadSession(id, repository, now, now, 0);
    }

    /// <summary>
    /// The session, or null when it does not exist, belongs to another repository or has expired (it is then deleted).
    /// With <paramref name="settle"/>, waits up to that long for a writer still appending (a request the client just
    /// abandoned is still flushing) so the size reported is where the next chunk must start.
    /// </summary>
    public UploadSession? Get(string repository, string id, TimeSpan settle = default)
    {
        if (!IsId(id)) return null;
        string directory = paths.RegistryUpload(id);
        SessionJson? session;
        FileInfo data;
        try
        {
            session = JsonSerializer.Deserialize<SessionJson>(File.ReadAllBytes(Path.Combine(directory, SessionFile)));
            data = new FileInfo(Path.Combine(directory, DataFile));
            if (!data.Exists) return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return null; }
        if (session is null || session.Repository != repository) return null;
        if (settle > TimeSpan.Zero) WaitForWriter(data.FullName, settle);
        data.Refresh();
        var updated = new DateTimeOffset(data.LastWriteTimeUtc, TimeSpan.Zero);
        if (DateTimeOffset.UtcNow - updated > Timeout)
        {
            TryDelete(id);
            return null;
        }
        return new UploadSession(id, repository, session.Started, updated, data.Length);
    }

    private static void WaitForWriter(string data, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            using (var held = FileLock.TryAcquire(data, exclusive: false, wait: false))
                if (held is not null || DateTime.UtcNow >= deadline) return;
            Thread.Sleep(20);
        }
    }

    /// <summary>Opens the session for appending; null when it is unknown.</summary>
    /// <exception cref="UploadBusyException">another request is writing to it.</exception>
    public UploadWriter? Open(string repository, string id)
    {
        if (Get(repository, id) is not { } session) return null;
        FileStream file;
        try
        {
            // FileShare.None: .NET takes an exclusive flock, so one writer at a time, across processes too.
            file = new FileStream(Path.Combine(paths.RegistryUpload(id), DataFile), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (IOException) { throw new UploadBusyException(id); }
        _hashers.TryRemove(id, out var hasher);
        if (hasher is not null && hasher.BytesHashed != file.Length)
        {
            hasher.Dispose();
            hasher = null;
        }
        if (hasher is null && file.Length == 0) hasher = DigestHasher.Create();
        return new UploadWriter(this, id, file, hasher, session with { Size = file.Length });
    }

    /// <summary>A writer let go without completing: keep its running hash for the next chunk.</summary>
    internal void Release(string id, DigestHasher? hasher, long size)
    {
        if (hasher is null) return;
        if (hasher.BytesHashed == size && _hashers.TryAdd(id, hasher)) return;
        hasher.Dispose();
    }

    internal BlobInfo Complete(string id, string repository, FileStream file, Digest expected, Digest? computed)
    {
        using var lease = enterWrite();
        var blob = content.Adopt(file, expected, computed);
        metadata.LinkRegistryBlob(repository, blob.Digest, DateTimeOffset.UtcNow);
        TryDelete(id);
        return blob;
    }

    /// <summary>Deletes the session; false when it does not exist.</summary>
    public bool Cancel(string repository, string id)
    {
        if (Get(repository, id) is null) return false;
        using var held = FileLock.TryAcquire(Path.Combine(paths.RegistryUpload(id), DataFile), exclusive: true, wait: false)
            ?? throw new UploadBusyException(id);
        TryDelete(id);
        return true;
    }

    /// <summary>Deletes sessions idle for longer than <see cref="Timeout"/> that no writer holds; returns their ids.</summary>
    public IReadOnlyList<string> Expire()
    {
        var expired = new List<string>();
        if (!Directory.Exists(paths.RegistryUploads)) return expired;
        foreach (var directory in Directory.EnumerateDirectories(paths.RegistryUploads))
        {
            string id = Path.GetFileName(directory);
            var data = new FileInfo(Path.Combine(directory, DataFile));
            var touched = data.Exists ? data.LastWriteTimeUtc : Directory.GetLastWriteTimeUtc(directory);
            if (DateTime.UtcNow - touched <= Timeout) continue;
            if (data.Exists)
            {
                using var held = FileLock.TryAcquire(data.FullName, exclusive: true, wait: false);
                if (held is null) continue;
                TryDelete(id);
            }
            else TryDelete(id);
            expired.Add(id);
        }
        return expired;
    }

    private void TryDelete(string id)
    {
        if (_hashers.TryRemove(id, out var hasher)) hasher.Dispose();
        try { Directory.Delete(paths.RegistryUpload(id), recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    private static bool IsId(string id) => Guid.TryParseExact(id, "D", out _);

    private sealed record SessionJson(string Repository, DateTimeOffset Started);
}
