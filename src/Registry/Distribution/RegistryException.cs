namespace Images.Registry.Distribution;

/// <summary>
/// A failure of a registry operation, carrying the spec's code; the server turns it into the status and JSON
/// body of <see cref="ErrorCode"/>, the client raises it from such a body.
/// </summary>
public sealed class RegistryException(ErrorCode code, string message, object? detail = null, Exception? inner = null)
    : Exception(message, inner)
{
    public ErrorCode Code { get; } = code;

    /// <summary>The spec's optional, code-specific <c>detail</c> value (serialized as JSON).</summary>
    public object? Detail { get; } = detail;
}
