namespace Images.Runtime;

/// <summary>What `images run` (or a library caller) says on top of the image's config; null means "as the image says".</summary>
public sealed record RunOptions
{
    /// <summary>Arguments after the image name: replace the image's CMD when not empty.</summary>
    public IReadOnlyList<string> Cmd { get; init; } = [];

    /// <summary>--entrypoint: replaces the image's ENTRYPOINT (and drops its CMD); "" clears it.</summary>
    public string? Entrypoint { get; init; }

    /// <summary>-e / --env-file entries, "K=V", applied over the image's Env in order.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public string? Hostname { get; init; }
    public NetworkMode Network { get; init; } = NetworkMode.Host;
    public bool ReadOnlyRootfs { get; init; }
    public IReadOnlyList<VolumeMount> Volumes { get; init; } = [];
}
