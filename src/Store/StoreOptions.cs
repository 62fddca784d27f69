namespace Images.Store;

/// <summary>Where the store lives and which driver it uses.</summary>
public sealed record StoreOptions
{
    /// <summary>The store root (default <c>/var/lib/images</c>, or <c>IMAGES_ROOT</c>).</summary>
    public required string Root { get; init; }

    /// <summary>The graph driver by name; null picks the first supported one by priority.</summary>
    public string? Driver { get; init; }
}
