namespace Images.Runtime.Containers;

public enum ContainerStatus { Created, Running, Exited }

/// <summary>
/// A container's changing state (state.json), written by its monitor (and by whoever cleans up after a monitor
/// that died). Processes are named by pid and start time, so a reused pid is never taken for ours.
/// </summary>
public sealed record ContainerState
{
    public ContainerStatus Status { get; init; } = ContainerStatus.Created;

    /// <summary>The monitor process holding the container (pid, start time).</summary>
    public int MonitorPid { get; init; }
    public string? MonitorStart { get; init; }

    /// <summary>The container's pid 1 as the host sees it.</summary>
    public int Pid { get; init; }
    public string? PidStart { get; init; }

    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public int? ExitCode { get; init; }

    /// <summary>Why the container failed to start or how its end was found, when not by its monitor.</summary>
    public string? Error { get; init; }
}
