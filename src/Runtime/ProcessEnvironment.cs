namespace Images.Runtime;

/// <summary>"K=V" environment lists: lookup, merge (later entries win, order of first appearance kept) and Docker's defaults.</summary>
public static class ProcessEnvironment
{
    public static string? Get(IEnumerable<string> env, string key)
    {
        string? value = null;
        foreach (var e in env)
            if (e.Length > key.Length && e[key.Length] == '=' && e.StartsWith(key, StringComparison.Ordinal))
                value = e[(key.Length + 1)..];
        return value;
    }

    /// <summary>Merges lists: a later K=V replaces an earlier one in place; a bare "K" (no '=') is dropped.</summary>
    public static IReadOnlyList<string> Merge(params IEnumerable<string>[] lists)
    {
        var order = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var list in lists)
            foreach (var e in list)
            {
                int eq = e.IndexOf('=');
                if (eq <= 0) continue;
                string key = e[..eq];
                if (!values.ContainsKey(key)) order.Add(key);
                values[key] = e;
            }
        return [.. order.Select(k => values[k])];
    }

    /// <summary>Adds Docker's default PATH and the user's HOME when the list has none.</summary>
    public static IReadOnlyList<string> Complete(IEnumerable<string> env, string home)
    {
        var merged = Merge(env).ToList();
        if (Get(merged, "PATH") is null) merged.Add("PATH=" + ProcessSpec.DefaultPath);
        if (Get(merged, "HOME") is null) merged.Add("HOME=" + home);
        return merged;
    }
}
