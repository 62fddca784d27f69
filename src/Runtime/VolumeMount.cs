namespace Images.Runtime;

/// <summary>A host path bound into the container at <see cref="Destination"/> (an absolute path inside it).</summary>
public sealed record VolumeMount(string Source, string Destination, bool ReadOnly = false)
{
    /// <summary>Parses Docker's <c>-v HOST:CONTAINER[:ro|rw]</c>; the host path is made absolute.</summary>
    public static VolumeMount Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var parts = value.Split(':');
        bool readOnly = false;
        if (parts.Length == 3)
        {
            readOnly = parts[2] switch
            {
                "ro" => true,
                "rw" => false,
                _ => throw new ArgumentException($"volume '{value}': mode '{parts[2]}' is not 'ro' or 'rw'"),
            };
        }
        else if (parts.Length != 2)
            throw new ArgumentException($"volume '{value}': expected HOST:CONTAINER[:ro]");
        if (parts[0].Length == 0 || !parts[1].StartsWith('/'))
            throw new ArgumentException($"volume '{value}': the host path must not be empty and the container path must be absolute");
        return new VolumeMount(Path.GetFullPath(parts[0]), parts[1], readOnly);
    }
}
