namespace Images.Runtime.Users;

/// <summary>Who a container's process runs as: ids, supplementary groups and home directory.</summary>
public sealed record ExecUser(uint Uid, uint Gid, IReadOnlyList<uint> Groups, string Home);
