using System.Text;
using Images.Registry.Distribution;
using Microsoft.AspNetCore.Http;

namespace Images.Registry.Server.Auth;

/// <summary>
/// Who may do what: open (no credentials configured), basic auth against an htpasswd file (a valid user may do
/// everything), or bearer tokens (each request needs a token whose access covers the repository and action; without
/// one the answer is 401 with a <c>Bearer</c> challenge naming the scope to ask the realm for).
/// </summary>
internal sealed class AccessControl(RegistryServerOptions options, Htpasswd? users, TokenService? tokens)
{
    private const string GrantedKey = "images.registry.access";

    public bool IsOpen => users is null && tokens is null;

    /// <summary>
    /// Checks the request for <paramref name="needed"/> (null: any authenticated caller). On refusal writes the 401
    /// and returns false.
    /// </summary>
    public async Task<bool> AuthorizeAsync(HttpContext context, AccessScope? needed)
    {
        if (IsOpen) return true;
        string? header = context.Request.Headers.Authorization;
        if (tokens is not null)
        {
            if (Bearer(header) is { } token && tokens.Validate(token) is { } valid)
            {
                context.Items[GrantedKey] = valid.Access;
                if (needed is null || Covers(valid.Access, needed)) return true;
                await RefuseAsync(context, Challenge.Bearer(options.TokenRealm!, options.TokenService, needed.ToString(), "insufficient_scope"),
                    $"the token does not grant {needed}");
                return false;
            }
            await RefuseAsync(context, Challenge.Bearer(options.TokenRealm!, options.TokenService, needed?.ToString()),
                "a bearer token is required: get one from the realm");
            return false;
        }
        if (BasicUser(header) is { } user && users!.Verify(user.Name, user.Password)) return true;
        await RefuseAsync(context, Challenge.Basic(options.TokenService), "valid credentials are required (basic auth)");
        return false;
    }

    /// <summary>Whether the request's credentials also allow <paramref name="scope"/> (a mount's source repository).</summary>
    public static bool Allows(HttpContext context, AccessScope scope, bool open) =>
        open || context.Items[GrantedKey] is not IReadOnlyList<AccessScope> granted || Covers(granted, scope);

    private static bool Covers(IReadOnlyList<AccessScope> granted, AccessScope needed) =>
        needed.Actions.All(action => granted.Any(g => g.Type == needed.Type && g.Name == needed.Name &&
            (g.Allows(action) || (action == AccessScope.Delete && g.Allows(AccessScope.Push)))));

    private static async Task RefuseAsync(HttpContext context, Challenge challenge, string message)
    {
        context.Response.Headers.WWWAuthenticate = challenge.ToString();
        await Responses.ErrorAsync(context, new RegistryException(ErrorCode.Unauthorized, message));
    }

    private static string? Bearer(string? header) =>
        header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;

    /// <summary>The user and password of a Basic Authorization header, or null.</summary>
    public static (string Name, string Password)? BasicUser(string? header)
    {
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            int colon = text.IndexOf(':');
            return colon < 0 ? null : (text[..colon], text[(colon + 1)..]);
        }
        catch (FormatException) { return null; }
    }
}
