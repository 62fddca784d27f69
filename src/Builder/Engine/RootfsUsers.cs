using System.Globalization;
using Images.Archive;
using Images.Platform;

namespace Images.Builder.Engine;

/// <summary>
/// Resolves COPY/ADD <c>--chown=user[:group]</c> against the image's own <c>/etc/passwd</c> and <c>/etc/group</c>
/// (never the host's): numbers are taken as they are, names must exist; a user without a group gets the user's
/// primary group, as Docker does.
/// </summary>
internal static class RootfsUsers
{
    public static (uint Uid, uint Gid) Resolve(string rootfs, string chown)
    {
        ArgumentException.ThrowIfNullOrEmpty(chown);
        int colon = chown.IndexOf(':');
        string user = colon < 0 ? chown : chown[..colon];
        string? group = colon < 0 ? null : chown[(colon + 1)..];
        if (user.Length == 0 || group is "")
            throw new BuildException($"--chown={chown}: expected user[:group] with names or numbers");

        uint uid;
        uint? primaryGid = null;
        if (uint.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out uint numericUid))
        {
            uid = numericUid;
            if (group is null) primaryGid = Lookup(rootfs, "etc/passwd", 2, f => f[2] == user) is { } row ? ParseId(row[3]) : numericUid;
        }
        else
        {
            var row = Lookup(rootfs, "etc/passwd", 3, f => f[0] == user)
                ?? throw new BuildException($"--chown={chown}: no user '{user}' in the image's /etc/passwd; create it first (RUN adduser) or use a numeric id");
            uid = ParseId(row[2]);
            primaryGid = ParseId(row[3]);
        }

        if (group is null) return (uid, primaryGid!.Value);
        if (uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out uint numericGid)) return (uid, numericGid);
        var grow = Lookup(rootfs, "etc/group", 2, f => f[0] == group)
            ?? throw new BuildException($"--chown={chown}: no group '{group}' in the image's /etc/group; create it first or use a numeric id");
        return (uid, ParseId(grow[2]));
    }

    private static uint ParseId(string text) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id) ? id : 0;

    /// <summary>The first colon-separated row with more than <paramref name="minIndex"/> fields that matches.</summary>
    private static string[]? Lookup(string rootfs, string file, int minIndex, Func<string[], bool> match)
    {
        // Resolved inside the rootfs: a symlinked /etc must not lead to the host's files.
        string? rel = new RootedResolver(rootfs).ResolveEntry(file, create: false, file);
        if (rel is null) return null;
        string full = Path.Combine(rootfs, rel);
        if (!Files.TryLstat(full, out var status) || status.Kind != FileKind.Regular) return null;
        foreach (string line in File.ReadLines(full))
        {
            var fields = line.Split(':');
            if (fields.Length > minIndex + 1 && match(fields)) return fields;
        }
        return null;
    }
}
