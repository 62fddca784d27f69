namespace Images.Registry.Distribution;

/// <summary>
/// The distribution spec's grammar for repository names and tags:
/// <c>name = component ("/" component)*</c>, <c>component = [a-z0-9]+ (separator [a-z0-9]+)*</c>,
/// <c>separator = "." | "_" | "__" | "-"+</c>; a tag is <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>.
/// Hand-written rather than a regex so the error can say which character is wrong.
/// </summary>
public static class RepositoryName
{
    /// <summary>distribution's limit on the whole name.</summary>
    public const int MaxLength = 255;

    public static bool IsValid(string? name) => Check(name) is null;

    /// <summary>Throws NAME_INVALID naming the problem.</summary>
    public static string Validate(string? name) =>
        Check(name) is { } problem ? throw new RegistryException(ErrorCode.NameInvalid, $"invalid repository name \"{name}\": {problem}") : name!;

    /// <summary>What is wrong with <paramref name="name"/>, or null when it is valid.</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "the name is empty";
        if (name.Length > MaxLength) return $"longer than {MaxLength} characters";
        foreach (var component in name.Split('/'))
            if (CheckComponent(component) is { } problem) return problem;
        return null;
    }

    public static bool IsValidTag(string? tag)
    {
        if (string.IsNullOrEmpty(tag) || tag.Length > 128) return false;
        if (!(IsAlnum(tag[0]) || char.IsAsciiLetterUpper(tag[0]) || tag[0] == '_')) return false;
        foreach (char c in tag)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')) return false;
        return true;
    }

    private static string? CheckComponent(string component)
    {
        if (component.Length == 0) return "empty path component (a leading, trailing or doubled \"/\")";
        int i = 0;
        while (true)
        {
            int run = i;
            while (i < component.Length && IsAlnum(component[i])) i++;
            if (i == run)
                return i < component.Length && !IsSeparator(component[i])
                    ? $"character '{component[i]}' is not allowed (lowercase letters, digits, \".\", \"_\", \"-\" and \"/\")"
                    : $"component \"{component}\" must start and end with a lowercase letter or digit, with one separator (\".\", \"_\", \"__\" or dashes) between";
            if (i == component.Length) return null;
            char c = component[i];
            if (c == '.') i++;
            else if (c == '_') i += i + 1 < component.Length && component[i + 1] == '_' ? 2 : 1;
            else if (c == '-') while (i < component.Length && component[i] == '-') i++;
            else return $"character '{c}' is not allowed (lowercase letters, digits, \".\", \"_\", \"-\" and \"/\")";
        }
    }

    private static bool IsSeparator(char c) => c is '.' or '_' or '-';

    private static bool IsAlnum(char c) => c is >= 'a' and <= 'z' or >= '0' and <= '9';
}
