using Images.Platform;

namespace Images.Drivers.Common;

/// <summary>
/// Creates and removes a driver's layer directories so a crash never leaves a half-made layer under its real name:
/// a layer is filled at a hidden staging path (<c>.tmp-&lt;pid&gt;-&lt;name&gt;-&lt;random&gt;</c>) and renamed into
/// place; removal first renames it to <c>&lt;name&gt;-removing</c>. <see cref="Recover"/>, run when a driver opens,
/// deletes what dead processes left behind and finishes interrupted removals.
/// </summary>
public static class AtomicDirectories
{
    public const string RemovingSuffix = "-removing";
    private const string StagingPrefix = ".tmp-";

    /// <summary>
    /// Creates <c>parent/name</c>: <paramref name="fill"/> gets a path that does not exist yet and must create it
    /// (a directory copy, a snapshot, ...); then it is renamed into place. On failure the staging path is deleted
    /// with <paramref name="delete"/> (default: <see cref="TreeDelete.Delete"/>).
    /// </summary>
    /// <exception cref="DriverException"><c>parent/name</c> exists already.</exception>
    public static void Create(string parent, string name, Action<string> fill, Action<string>? delete = null)
    {
        ArgumentNullException.ThrowIfNull(fill);
        string final = Path.Combine(parent, name);
        string staging = Path.Combine(parent, StagingName(name));
        try
        {
            fill(staging);
            if (!Directory.Exists(staging))
                throw new InvalidOperationException($"the fill step did not create {staging}");
            try
            {
                Renames.MoveNoReplace(staging, final);
            }
            catch (UnixException e) when (e.Errno is 17 /* EEXIST */ or 39 /* ENOTEMPTY */)
            {
                throw new DriverException($"{final} exists already: choose another id or remove the existing layer first", e);
            }
            Files.FsyncDirectory(parent);
        }
        catch
        {
            if (Files.TryLstat(staging, out _)) (delete ?? TreeDelete.Delete)(staging);
            throw;
        }
    }

    /// <summary>
    /// Removes <c>parent/name</c>: renames it out of the way first, so a crash mid-delete leaves a
    /// <c>-removing</c> directory for <see cref="Recover"/> instead of a damaged layer. False when it did not exist.
    /// </summary>
    public static bool Remove(string parent, string name, Action<string>? delete = null)
    {
        string final = Path.Combine(parent, name);
        if (!Files.TryLstat(final, out _)) return false;
        string removing = final + RemovingSuffix;
        // A leftover from an interrupted earlier removal of the same name would block the rename.
        if (Files.TryLstat(removing, out _)) (delete ?? TreeDelete.Delete)(removing);
        Directory.Move(final, removing);
        Files.FsyncDirectory(parent);
        (delete ?? TreeDelete.Delete)(removing);
        return true;
    }

    /// <summary>True for names this class uses for staging and removal, which are never layers.</summary>
    public static bool IsTransient(string name) =>
        name.StartsWith(StagingPrefix, StringComparison.Ordinal) || name.EndsWith(RemovingSuffix, StringComparison.Ordinal);

    /// <summary>A fresh hidden staging name for <paramref name="name"/> that <see cref="IsAbandoned"/> recognises.</summary>
    public static string StagingName(string name) => $"{StagingPrefix}{Environment.ProcessId}-{name}-{Guid.NewGuid():N}";

    /// <summary>
    /// True for a staging name whose creating process is gone, and for any <c>-removing</c> name: both are leftovers
    /// to delete. Staging names of live processes are not: they may be mid-create.
    /// </summary>
    public static bool IsAbandoned(string name) =>
        name.EndsWith(RemovingSuffix, StringComparison.Ordinal) ||
        (name.StartsWith(StagingPrefix, StringComparison.Ordinal) && !IsOwnerAlive(name));

    /// <summary>
    /// Deletes staging directories of processes that are gone and finishes interrupted removals under
    /// <paramref name="parent"/>. Staging directories of live processes are left alone: they may be mid-create.
    /// </summary>
    public static void Recover(string parent, Action<string>? delete = null)
    {
        if (!Directory.Exists(parent)) return;
        foreach (string path in Directory.EnumerateFileSystemEntries(parent))
        {
            if (IsAbandoned(Path.GetFileName(path))) (delete ?? TreeDelete.Delete)(path);
        }
    }

    /// <summary>True when a live process is filling a staging directory for <c>parent/name</c> right now.</summary>
    public static bool IsBeingCreated(string parent, string name)
    {
        if (!Directory.Exists(parent)) return false;
        foreach (string path in Directory.EnumerateFileSystemEntries(parent, StagingPrefix + "*"))
        {
            string staging = Path.GetFileName(path);
            if (TryParseStaging(staging, out _, out string? target) && target == name && IsOwnerAlive(staging)) return true;
        }
        return false;
    }

    // ".tmp-<pid>-<name>-<32 hex>" -> pid, name.
    private static bool TryParseStaging(string stagingName, out int pid, out string? name)
    {
        pid = 0;
        name = null;
        if (!stagingName.StartsWith(StagingPrefix, StringComparison.Ordinal)) return false;
        string rest = stagingName[StagingPrefix.Length..];
        int first = rest.IndexOf('-'), last = rest.LastIndexOf('-');
        if (first <= 0 || last <= first || !int.TryParse(rest[..first], out pid)) return false;
        name = rest[(first + 1)..last];
        return true;
    }

    private static bool IsOwnerAlive(string stagingName) =>
        TryParseStaging(stagingName, out int pid, out _) && Directory.Exists($"/proc/{pid}");
}
