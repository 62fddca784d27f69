namespace Images.Registry.Distribution;

/// <summary>
/// A token scope of distribution's auth spec: <c>repository:NAME:pull,push</c> (also <c>registry:catalog:*</c>).
/// Several scopes are separated by spaces in one <c>scope</c> parameter, or repeated as query parameters.
/// </summary>
public sealed record AccessScope(string Type, string Name, IReadOnlySet<string> Actions)
{
    public const string Pull = "pull";
    public const string Push = "push";
    public const string Delete = "delete";

    public static AccessScope Repository(string name, params string[] actions) =>
        new("repository", name, new SortedSet<string>(actions, StringComparer.Ordinal));

    public static AccessScope Catalog() => new("registry", "catalog", new SortedSet<string>(["*"], StringComparer.Ordinal));

    public bool Allows(string action) => Actions.Contains(action) || Actions.Contains("*");

    public override string ToString() => $"{Type}:{Name}:{string.Join(',', Actions)}";

    /// <summary>Parses one scope; the name may itself hold a colon (a host with a port), so the actions are after the last one.</summary>
    public static bool TryParse(string? text, out AccessScope scope)
    {
        scope = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        int first = text.IndexOf(':'), last = text.LastIndexOf(':');
        if (first <= 0 || last <= first) return false;
        var actions = text[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        scope = new AccessScope(text[..first], text[(first + 1)..last], new SortedSet<string>(actions, StringComparer.Ordinal));
        return true;
    }

    /// <summary>Scopes in a space-separated list (a challenge's <c>scope</c> parameter).</summary>
    public static IReadOnlyList<AccessScope> ParseList(string? text) =>
        (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => TryParse(s, out var scope) ? scope : null).OfType<AccessScope>().ToList();
}
