namespace Images.Runtime.Users;

/// <summary>
/// Resolves Docker's <c>--user name|uid[:group|gid]</c> through a root filesystem's /etc/passwd and /etc/group, as
/// Docker (runc's GetExecUser) does: a name must exist, a number need not; without a group the user's passwd gid
/// is the group and every group listing the user is a supplementary group; with a group there are none. The one
/// place the rules live: the init and exec helpers call it inside the container's root.
/// </summary>
public static class UserResolver
{
    public static ExecUser Resolve(string? user, string passwdPath = "/etc/passwd", string groupPath = "/etc/group")
    {
        string spec = string.IsNullOrEmpty(user) ? "0" : user;
        int colon = spec.IndexOf(':');
        string userPart = colon < 0 ? spec : spec[..colon];
        string? groupPart = colon < 0 ? null : spec[(colon + 1)..];
        if (userPart.Length == 0) throw new UserNotFoundException($"user '{spec}': the user part is empty");

        var passwd = ReadEntries(passwdPath, 7);
        string[]? entry = uint.TryParse(userPart, out uint uidNumber)
            ? passwd.FirstOrDefault(p => uint.TryParse(p[2], out var u) && u == uidNumber)
            : passwd.FirstOrDefault(p => p[0] == userPart)
              ?? throw new UserNotFoundException($"unable to find user {userPart}: no matching entries in passwd file ({passwdPath})");
        uint uid = entry is null ? uidNumber : ParseId(entry[2], passwdPath);
        uint gid = entry is null ? 0 : ParseId(entry[3], passwdPath);
        string home = entry is null || entry[5].Length == 0 ? "/" : entry[5];

        var groups = new List<uint>();
        if (groupPart is not null)
        {
            if (groupPart.Length == 0) throw new UserNotFoundException($"user '{spec}': the group part is empty");
            if (uint.TryParse(groupPart, out uint gidNumber)) gid = gidNumber;
            else
            {
                var g = ReadEntries(groupPath, 4).FirstOrDefault(g => g[0] == groupPart)
                        ?? throw new UserNotFoundException($"unable to find group {groupPart}: no matching entries in group file ({groupPath})");
                gid = ParseId(g[2], groupPath);
            }
        }
        else if (entry is not null)
        {
            foreach (var g in ReadEntries(groupPath, 4))
                if (g[3].Split(',').Contains(entry[0]) && uint.TryParse(g[2], out uint sgid) && !groups.Contains(sgid))
                    groups.Add(sgid);
        }
        if (!groups.Contains(gid)) groups.Insert(0, gid);
        return new ExecUser(uid, gid, groups, home);
    }

    private static uint ParseId(string text, string file) =>
        uint.TryParse(text, out uint id) ? id : throw new UserNotFoundException($"{file}: '{text}' is not a numeric id");

    /// <summary>The colon-separated entries of a passwd/group file (padded to <paramref name="fields"/>); none when it is missing.</summary>
    private static List<string[]> ReadEntries(string path, int fields)
    {
        var result = new List<string[]>();
        if (!File.Exists(path)) return result;
        foreach (var raw in File.ReadLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split(':');
            if (parts.Length < 3) continue;
            if (parts.Length < fields) parts = [.. parts, .. Enumerable.Repeat("", fields - parts.Length)];
            result.Add(parts);
        }
        return result;
    }
}

/// <summary>A --user that names a user or group the image does not have.</summary>
public sealed class UserNotFoundException(string message) : Exception(message);
