using Sprache;
using SpracheParse = Sprache.Parse;

namespace Images.Builder.Parsing;

/// <summary>
/// One EXPOSE entry after expansion: <c>80</c>, <c>80/tcp</c>, <c>53/udp</c>, <c>8000-8010/sctp</c>.
/// The protocol is lower-cased and defaults to tcp; <see cref="ToString"/> gives the image config's keys' form
/// for a single port (<c>80/tcp</c>).
/// </summary>
public sealed record PortSpec(int FirstPort, int LastPort, string Protocol)
{
    private static readonly Parser<int> Port = SpracheParse.Number.Select(n => int.TryParse(n, out int v) ? v : -1);

    private static readonly Parser<PortSpec> Grammar =
        from first in Port
        from last in SpracheParse.Char('-').Then(_ => Port).Optional()
        from protocol in SpracheParse.Char('/').Then(_ => SpracheParse.Letter.AtLeastOnce().Text()).Optional()
        select new PortSpec(first, last.GetOrElse(first), protocol.GetOrElse("tcp").ToLowerInvariant());

    /// <summary>Each port of the range as an image config key (<c>8000/tcp</c>, <c>8001/tcp</c>...).</summary>
    public IEnumerable<string> Keys => Enumerable.Range(FirstPort, LastPort - FirstPort + 1).Select(p => $"{p}/{Protocol}");

    public static PortSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = Grammar.End().TryParse(text);
        if (!result.WasSuccessful)
        {
            throw new FormatException($"invalid port \"{text}\" to EXPOSE: write port[/protocol] or first-last[/protocol], e.g. 80/tcp");
        }
        var spec = result.Value;
        if (spec.FirstPort is < 1 or > 65535 || spec.LastPort is < 1 or > 65535 || spec.LastPort < spec.FirstPort)
        {
            throw new FormatException($"invalid port \"{text}\" to EXPOSE: ports go from 1 to 65535, ranges low-high");
        }
        if (spec.Protocol is not ("tcp" or "udp" or "sctp"))
        {
            throw new FormatException($"invalid protocol \"{spec.Protocol}\" in \"{text}\" to EXPOSE: use tcp, udp or sctp");
        }
        return spec;
    }

    public override string ToString() =>
        FirstPort == LastPort ? $"{FirstPort}/{Protocol}" : $"{FirstPort}-{LastPort}/{Protocol}";
}
