using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Images.Registry.Distribution;

namespace Images.Registry.Server.Auth;

/// <summary>
/// Bearer tokens of distribution's token flow: a JWT (HS256, signed with the server's key) whose <c>access</c> claim
/// lists per-repository actions, e.g. <c>[{"type":"repository","name":"app","actions":["pull","push"]}]</c>.
/// </summary>
public sealed class TokenService
{
    private readonly byte[] _key;
    private readonly string _service;
    private readonly TimeSpan _lifetime;

    public TokenService(byte[] key, string service, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 16) throw new ArgumentException("a token key needs at least 16 bytes", nameof(key));
        _key = key;
        _service = service;
        _lifetime = lifetime;
    }

    public TimeSpan Lifetime => _lifetime;

    public string Issue(string subject, IReadOnlyList<AccessScope> access)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new Claims
        {
            Issuer = _service, Subject = subject, Audience = _service,
            IssuedAt = now.ToUnixTimeSeconds(), NotBefore = now.ToUnixTimeSeconds() - 5, Expires = (now + _lifetime).ToUnixTimeSeconds(),
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Access = access.Select(a => new AccessClaim(a.Type, a.Name, a.Actions.ToArray())).ToList(),
        };
        string header = Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8.ToArray());
        string payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        return $"{header}.{payload}.{Sign($"{header}.{payload}")}";
    }

    /// <summary>The token's subject and access when it is ours, intact, for this service and not expired; else null.</summary>
    public (string Subject, IReadOnlyList<AccessScope> Access)? Validate(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        var expected = Encoding.ASCII.GetBytes(Sign($"{parts[0]}.{parts[1]}"));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[2]))) return null;
        Claims? claims;
        try { claims = JsonSerializer.Deserialize<Claims>(FromBase64Url(parts[1])); }
        catch (Exception e) when (e is JsonException or FormatException) { return null; }
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (claims is null || claims.Audience != _service || now >= claims.Expires || now < claims.NotBefore) return null;
        var access = (claims.Access ?? []).Select(a => new AccessScope(a.Type, a.Name, new SortedSet<string>(a.Actions, StringComparer.Ordinal))).ToList();
        return (claims.Subject ?? "", access);
    }

    private string Sign(string data) => Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(data)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }

    private sealed record Claims
    {
        [JsonPropertyName("iss")] public string? Issuer { get; init; }
        [JsonPropertyName("sub")] public string? Subject { get; init; }
        [JsonPropertyName("aud")] public string? Audience { get; init; }
        [JsonPropertyName("exp")] public long Expires { get; init; }
        [JsonPropertyName("nbf")] public long NotBefore { get; init; }
        [JsonPropertyName("iat")] public long IssuedAt { get; init; }
        [JsonPropertyName("jti")] public string? Id { get; init; }
        [JsonPropertyName("access")] public List<AccessClaim>? Access { get; init; }
    }

    private sealed record AccessClaim(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("actions")] string[] Actions);
}
