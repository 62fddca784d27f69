namespace Images.Runtime;

/// <summary>A container's network: the host's (shared), or a namespace of its own with only loopback.</summary>
public enum NetworkMode { Host, None }
