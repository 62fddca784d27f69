namespace Images.Registry.Server.Auth;

/// <summary>
/// Users from an htpasswd file (<c>user:hash</c> lines, as <c>htpasswd -B</c> writes them). Only bcrypt hashes are
/// accepted, as distribution does: the file is refused at load when a line holds anything else.
/// </summary>
public sealed class Htpasswd
{
    private readonly Dictionary<string, string> _hashes;

    private Htpasswd(Dictionary<string, string> hashes) => _hashes = hashes;

    public static Htpasswd Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        int number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int colon = line.IndexOf(':');
            if (colon <= 0) throw new FormatException($"{path}:{number}: not \"user:hash\"");
            string hash = line[(colon + 1)..];
            if (!(hash.StartsWith("$2a$") || hash.StartsWith("$2b$") || hash.StartsWith("$2y$")))
                throw new FormatException($"{path}:{number}: user {line[..colon]} has a non-bcrypt hash (create it with 'htpasswd -B')");
            hashes[line[..colon]] = hash;
        }
        return new Htpasswd(hashes);
    }

    public int Count => _hashes.Count;

    public bool Verify(string user, string password)
    {
        if (!_hashes.TryGetValue(user, out var hash)) return false;
        try { return BCrypt.Net.BCrypt.Verify(password, hash); }
        catch (BCrypt.Net.SaltParseException) { return false; }
    }

    /// <summary>A bcrypt hash line for <paramref name="user"/> (tests and tooling write htpasswd files with it).</summary>
    public static string Line(string user, string password, int workFactor = 5) =>
        $"{user}:{BCrypt.Net.BCrypt.HashPassword(password, workFactor)}";
}
