namespace Images.Drivers.Common;

/// <summary>
/// The shape every driver accepts for a layer id: 1 to 128 of <c>[A-Za-z0-9_.-]</c>, starting with a letter or
/// digit, not ending in <c>-removing</c>. Ids become directory names under a driver's home, so anything that could
/// climb out of it ('/', '..') or collide with a driver's own staging names is refused up front.
/// </summary>
public static class LayerIds
{
    public const int MaxLength = 128;

    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength || !char.IsAsciiLetterOrDigit(id[0])) return false;
        foreach (char c in id)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-')) return false;
        return !id.EndsWith(AtomicDirectories.RemovingSuffix, StringComparison.Ordinal);
    }

    /// <exception cref="ArgumentException">the id is not of the accepted shape.</exception>
    public static void Validate(string? id, string argumentName = "id")
    {
        ArgumentNullException.ThrowIfNull(id, argumentName);
        if (!IsValid(id))
            throw new ArgumentException(
                $"invalid layer id '{id}': use 1 to {MaxLength} characters of [A-Za-z0-9_.-], starting with a letter or digit " +
                $"and not ending in '{AtomicDirectories.RemovingSuffix}' (for example a sha256 hex digest)", argumentName);
    }
}
