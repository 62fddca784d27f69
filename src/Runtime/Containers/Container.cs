namespace Images.Runtime.Containers;

/// <summary>A container as read back from its directory: what it is and where it is.</summary>
public sealed record Container(ContainerSpec Spec, ContainerState State)
{
    public string Id => Spec.Id;
    public string Name => Spec.Name;
    public bool IsRunning => State.Status == ContainerStatus.Running;

    /// <summary>Docker's STATUS column: "Created", "Up", "Exited (N)".</summary>
    public string Describe() => State.Status switch
    {
        ContainerStatus.Created => "Created",
        ContainerStatus.Running => "Up",
        _ => State.ExitCode is int code ? $"Exited ({code})" : "Exited",
    };
}

/// <summary>No container has that id, id prefix or name.</summary>
public sealed class ContainerNotFoundException(string message) : Exception(message);

/// <summary>The container is not in a state that allows the operation (running, or not running); the message says what to do.</summary>
public sealed class ContainerStateException(string message) : Exception(message);
