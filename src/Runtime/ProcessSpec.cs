namespace Images.Runtime;

/// <summary>What to run, already resolved from the image config and options (ENTRYPOINT/CMD combined by the caller).</summary>
public sealed record ProcessSpec
{
    /// <summary>argv; Args[0] is looked up on PATH inside the rootfs when it has no '/'.</summary>
    public required IReadOnlyList<string> Args { get; init; }

    /// <summary>"K=V"; the runtime adds Docker's default PATH when absent (and HOME from the user's passwd entry).</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>Created if missing, as Docker does.</summary>
    public string WorkingDir { get; init; } = "/";

    /// <summary>"name|uid[:group|gid]", resolved in the rootfs's /etc/passwd and /etc/group; null = root.</summary>
    public string? User { get; init; }

    public string? Hostname { get; init; }

    public NetworkMode Network { get; init; } = NetworkMode.Host;

    public bool ReadOnlyRootfs { get; init; }

    public IReadOnlyList<VolumeMount> Volumes { get; init; } = [];

    /// <summary>Docker's PATH for images that set none.</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Throws when the spec cannot be run (no args, relative paths).</summary>
    public void Validate()
    {
        if (Args is null || Args.Count == 0 || string.IsNullOrEmpty(Args[0]))
            throw new ArgumentException("process spec: no command to run (Args is empty); give a command or set CMD/ENTRYPOINT in the image");
        if (!WorkingDir.StartsWith('/'))
            throw new ArgumentException($"process spec: working directory '{WorkingDir}' is not absolute");
        foreach (var e in Env)
            if (!e.Contains('=') || e.StartsWith('='))
                throw new ArgumentException($"process spec: environment entry '{e}' is not K=V");
        foreach (var v in Volumes)
        {
            if (!Path.IsPathRooted(v.Source) || !v.Destination.StartsWith('/'))
                throw new ArgumentException($"process spec: volume {v.Source}:{v.Destination} needs absolute paths");
            if (!File.Exists(v.Source) && !Directory.Exists(v.Source))
                throw new ArgumentException($"process spec: volume source '{v.Source}' does not exist");
        }
    }
}
