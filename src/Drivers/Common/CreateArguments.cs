namespace Images.Drivers.Common;

/// <summary>The argument checks every <see cref="IGraphDriver.Create"/> makes before touching disk.</summary>
public static class CreateArguments
{
    /// <summary>Validates the ids and the size limit; returns the limit (null for none).</summary>
    /// <exception cref="ArgumentException">an id is malformed or the size limit is not positive.</exception>
    public static long? Validate(string id, string? parent, CreateOptions? options)
    {
        LayerIds.Validate(id);
        if (parent is not null) LayerIds.Validate(parent, nameof(parent));
        long? limit = options?.SizeLimit;
        if (limit is <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), limit, $"the size limit of layer {id} must be a positive number of bytes");
        return limit;
    }
}
