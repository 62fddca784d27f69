namespace Images.Builder.Parsing;

/// <summary>
/// The flags an instruction accepts, checked as Docker's BFlags does: unknown flags, repeated single-valued
/// flags, missing values and non-boolean values of boolean flags are errors.
/// </summary>
internal sealed class FlagSet
{
    private enum Kind { Boolean, Text, List }

    private readonly Dictionary<string, Kind> _kinds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _lists = new(StringComparer.Ordinal);

    public FlagSet Boolean(string name) { _kinds[name] = Kind.Boolean; return this; }

    public FlagSet Text(string name) { _kinds[name] = Kind.Text; return this; }

    public FlagSet List(string name) { _kinds[name] = Kind.List; return this; }

    /// <summary>Checks and records <paramref name="flags"/>; offsets are relative to <paramref name="baseOffset"/> in <paramref name="line"/>.</summary>
    public FlagSet Read(IReadOnlyList<FlagToken> flags, LogicalLine line, int baseOffset, string keyword)
    {
        foreach (var flag in flags)
        {
            int offset = baseOffset + flag.Offset;
            if (!_kinds.TryGetValue(flag.Name, out var kind))
            {
                string known = _kinds.Count == 0 ? "it takes no flags" : "known flags: " + string.Join(", ", _kinds.Keys.Select(k => "--" + k));
                throw line.Error(offset, $"unknown flag --{flag.Name} for {keyword} ({known})");
            }
            if (kind != Kind.List && (_values.ContainsKey(flag.Name)))
            {
                throw line.Error(offset, $"duplicate flag --{flag.Name}: {keyword} takes it once");
            }
            switch (kind)
            {
                case Kind.Boolean:
                    string value = (flag.Value ?? "true").ToLowerInvariant();
                    if (value is not ("true" or "false"))
                    {
                        throw line.Error(offset, $"expecting a boolean value (true or false) for flag --{flag.Name}, not \"{flag.Value}\"");
                    }
                    _values[flag.Name] = value;
                    break;
                case Kind.Text when flag.Value is null:
                case Kind.List when flag.Value is null:
                    throw line.Error(offset, $"missing a value on flag --{flag.Name}: write --{flag.Name}=value");
                case Kind.Text:
                    _values[flag.Name] = flag.Value;
                    break;
                default:
                    if (!_lists.TryGetValue(flag.Name, out var list))
                    {
                        _lists[flag.Name] = list = [];
                    }
                    list.Add(flag.Value!);
                    break;
            }
        }
        return this;
    }

    public string? GetText(string name) => _values.GetValueOrDefault(name);

    public bool GetBoolean(string name) => _values.GetValueOrDefault(name) == "true";

    public IReadOnlyList<string> GetList(string name) => _lists.TryGetValue(name, out var list) ? list : [];
}
