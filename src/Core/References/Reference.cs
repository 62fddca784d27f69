using System.Text.RegularExpressions;
using Images.Core.Digests;

namespace Images.Core.References;

/// <summary>
/// An image reference in Docker's grammar: <c>[domain[:port]/]path[:tag][@digest]</c>.
/// Names are normalized as Docker does (<c>busybox</c> is <c>docker.io/library/busybox</c>) and shown in
/// their familiar form (<c>busybox:latest</c>). A reference with neither tag nor digest gets the tag <c>latest</c>.
/// </summary>
public sealed partial record Reference
{
    public const string DefaultDomain = "docker.io";
    public const string DefaultTag = "latest";
    private const int MaxNameLength = 255;

    /// <summary>The registry host, with port when given (<c>docker.io</c> when none was).</summary>
    public string Domain { get; }

    /// <summary>The repository path within the registry (<c>library/busybox</c>).</summary>
    public string Path { get; }

    public string? Tag { get; }
    public Digest? Digest { get; }

    private Reference(string domain, string path, string? tag, Digest? digest)
    {
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The full repository name, <c>docker.io/library/busybox</c>.</summary>
    public string Name => $"{Domain}/{Path}";

    /// <summary>The repository name as Docker shows it: without <c>docker.io/</c> and <c>library/</c>.</summary>
    public string FamiliarName =>
        Domain == DefaultDomain
            ? (Path.StartsWith("library/", StringComparison.Ordinal) && Path.IndexOf('/', 8) < 0 ? Path[8..] : Path)
            : Name;

    /// <summary><c>name:tag</c> in full form, or null when the reference has only a digest.</summary>
    public string? TaggedName => Tag is null ? null : $"{Name}:{Tag}";

    /// <summary><c>name:tag</c> as Docker shows it.</summary>
    public string? FamiliarTaggedName => Tag is null ? null : $"{FamiliarName}:{Tag}";

    public override string ToString() =>
        Name + (Tag is null ? "" : ":" + Tag) + (Digest is { } d ? "@" + d : "");

    public string ToFamiliarString() =>
        FamiliarName + (Tag is null ? "" : ":" + Tag) + (Digest is { } d ? "@" + d : "");

    public Reference WithTag(string tag)
    {
        if (!TagRegex().IsMatch(tag))
            throw new FormatException($"invalid tag \"{tag}\": a tag is up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
        return new(Domain, Path, tag, null);
    }

    public Reference WithDigest(Digest digest) => new(Domain, Path, null, digest);

    /// <summary>Same repository as <paramref name="other"/>.</summary>
    public bool SameRepository(Reference other) => Domain == other.Domain && Path == other.Path;

    public static bool TryParse(string? text, out Reference reference)
    {
        try
        {
            reference = Parse(text!);
            return true;
        }
        catch (FormatException)
        {
            reference = null!;
            return false;
        }
    }

    /// <summary>Parses and normalizes <paramref name="text"/>; a bad reference gives a <see cref="FormatException"/> saying which part is wrong.</summary>
    public static Reference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) throw new FormatException("invalid reference \"\": an image name is required");

        string rest = text;
        Digest? digest = null;
        int at = rest.IndexOf('@');
        if (at >= 0)
        {
            if (!Digests.Digest.TryParse(rest[(at + 1)..], out var d, out var error))
                throw new FormatException($"invalid reference \"{text}\": {error}");
            digest = d;
            rest = rest[..at];
        }

        string? tag = null;
        int lastColon = rest.LastIndexOf(':');
        if (lastColon >= 0 && rest.IndexOf('/', lastColon) < 0)
        {
            tag = rest[(lastColon + 1)..];
            if (!TagRegex().IsMatch(tag))
                throw new FormatException($"invalid reference \"{text}\": invalid tag \"{tag}\" (up to 128 of [A-Za-z0-9_.-], not starting with '.' or '-')");
            rest = rest[..lastColon];
        }

        if (rest.Length == 0) throw new FormatException($"invalid reference \"{text}\": the repository name is empty");
        if (rest.Any(char.IsUpper) && !HasDomain(rest))
            throw new FormatException($"invalid reference \"{text}\": repository name must be lowercase");

        string domain, path;
        int slash = rest.IndexOf('/');
        if (slash < 0 || !HasDomain(rest))
        {
            domain = DefaultDomain;
            path = rest;
        }
        else
        {
            domain = rest[..slash];
            path = rest[(slash + 1)..];
            if (!DomainRegex().IsMatch(domain))
                throw new FormatException($"invalid reference \"{text}\": invalid registry host \"{domain}\"");
        }
        if (domain == "index.docker.io") domain = DefaultDomain;
        if (domain == DefaultDomain && !path.Contains('/')) path = "library/" + path;

        foreach (var component in path.Split('/'))
        {
            if (!PathComponentRegex().IsMatch(component))
                throw new FormatException(
                    $"invalid reference \"{text}\": invalid repository path component \"{component}\" " +
                    "(lowercase letters and digits, separated by '.', '_', '__' or dashes)");
        }
        if (domain.Length + 1 + path.Length > MaxNameLength)
            throw new FormatException($"invalid reference \"{text}\": repository name is longer than {MaxNameLength} characters");

        if (tag is null && digest is null) tag = DefaultTag;
        return new Reference(domain, path, tag, digest);
    }

    private static bool HasDomain(string name)
    {
        int slash = name.IndexOf('/');
        if (slash < 0) return false;
        string first = name[..slash];
        return first.Contains('.') || first.Contains(':') || first == "localhost" || first.Any(char.IsUpper);
    }

    [GeneratedRegex(@"^[\w][\w.-]{0,127}$")]
    private static partial Regex TagRegex();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")]
    private static partial Regex PathComponentRegex();

    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$")]
    private static partial Regex DomainRegex();
}
