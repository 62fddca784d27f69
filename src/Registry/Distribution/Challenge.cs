using System.Text;

namespace Images.Registry.Distribution;

/// <summary>
/// A <c>WWW-Authenticate</c> challenge: <c>Basic realm="..."</c> or
/// <c>Bearer realm="...",service="...",scope="..."</c> (the token flow of distribution's auth spec).
/// </summary>
public sealed record Challenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Realm => Parameters.GetValueOrDefault("realm");
    public string? Service => Parameters.GetValueOrDefault("service");
    public string? Scope => Parameters.GetValueOrDefault("scope");

    public static Challenge Basic(string realm) => new("Basic", new Dictionary<string, string> { ["realm"] = realm });

    public static Challenge Bearer(string realm, string service, string? scope, string? error = null)
    {
        var parameters = new Dictionary<string, string> { ["realm"] = realm, ["service"] = service };
        if (scope is not null) parameters["scope"] = scope;
        if (error is not null) parameters["error"] = error;
        return new("Bearer", parameters);
    }

    public override string ToString()
    {
        var text = new StringBuilder(Scheme);
        bool first = true;
        foreach (var (key, value) in Parameters)
        {
            text.Append(first ? " " : ",").Append(key).Append("=\"").Append(value.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
            first = false;
        }
        return text.ToString();
    }

    /// <summary>Parses one challenge (the first when a header holds several schemes); null when it is not one.</summary>
    public static Challenge? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        header = header.Trim();
        int space = header.IndexOf(' ');
        string scheme = space < 0 ? header : header[..space];
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int i = space < 0 ? header.Length : space + 1;
        while (i < header.Length)
        {
            while (i < header.Length && header[i] is ' ' or ',') i++;
            int eq = header.IndexOf('=', i);
            if (eq < 0) break;
            string key = header[i..eq].Trim();
            i = eq + 1;
            var value = new StringBuilder();
            if (i < header.Length && header[i] == '"')
            {
                for (i++; i < header.Length && header[i] != '"'; i++)
                {
                    if (header[i] == '\\' && i + 1 < header.Length) i++;
                    value.Append(header[i]);
                }
                i++;
            }
            else
            {
                while (i < header.Length && header[i] != ',') value.Append(header[i++]);
            }
            if (key.Contains(' ')) break; // the next challenge's scheme: one is enough
            parameters[key] = value.ToString().Trim();
        }
        return new Challenge(scheme, parameters);
    }
}
