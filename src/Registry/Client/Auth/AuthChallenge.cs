using System.Net.Http.Headers;

namespace Images.Registry.Client.Auth;

/// <summary>
/// One <c>WWW-Authenticate</c> challenge: its scheme (<c>Basic</c>, <c>Bearer</c>) and parameters
/// (<c>realm</c>, <c>service</c>, <c>scope</c>, <c>error</c>), quoted-string values unescaped.
/// </summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public static IReadOnlyList<AuthChallenge> From(HttpResponseHeaders headers) =>
        headers.WwwAuthenticate.Select(h => new AuthChallenge(h.Scheme, ParseParameters(h.Parameter))).ToList();

    /// <summary>Parses <c>a=b, c="d,e"</c> (RFC 9110 auth-params); names are case-insensitive.</summary>
    public static IReadOnlyDictionary<string, string> ParseParameters(string? text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(text)) return result;
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i]))) i++;
            int nameStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',') i++;
            string name = text[nameStart..i].Trim();
            if (i >= text.Length || text[i] != '=')
            {
                continue; // a token68 or a bare name: nothing the registry protocol uses
            }
            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            var value = new System.Text.StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    value.Append(text[i++]);
                }
                i++; // closing quote
            }
            else
            {
                while (i < text.Length && text[i] != ',') value.Append(text[i++]);
            }
            if (name.Length > 0) result[name] = value.ToString().Trim();
        }
        return result;
    }
}
