namespace Images.Inspect;

/// <summary>An image cannot be inspected as asked (missing or corrupt source, bad layer tar); the message names the thing, the cause and the fix.</summary>
public sealed class InspectException(string message, Exception? inner = null) : Exception(message, inner);
