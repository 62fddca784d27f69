namespace Images.Runtime.Containers;

/// <summary>A container's fixed configuration (its directory's config.json), written once at create.</summary>
public sealed record ContainerSpec
{
    public required string Id { get; init; }
    public required string Name { get; init; }

    /// <summary>The image as the user named it, and its id.</summary>
    public required string Image { get; init; }
    public required string ImageId { get; init; }

    public required ProcessSpec Process { get; init; }

    /// <summary>The process runtime ("builtin" or "runc") and the store's graph driver the rw layer lives in.</summary>
    public required string Runtime { get; init; }
    public required string Driver { get; init; }

    /// <summary>--rm: the container and its layer go when its process exits.</summary>
    public bool AutoRemove { get; init; }

    public DateTimeOffset Created { get; init; }

    public string ShortId => Id[..12];
}
