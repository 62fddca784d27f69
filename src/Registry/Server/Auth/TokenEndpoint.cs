using Images.Registry.Distribution;
using Microsoft.AspNetCore.Http;

namespace Images.Registry.Server.Auth;

/// <summary>
/// The realm this server can serve itself: <c>GET realm?service=..&amp;scope=..</c> returns
/// <c>{"token","access_token","expires_in","issued_at"}</c>. With an htpasswd file, a user with valid basic
/// credentials gets every action asked for and anyone else gets pull only; without one, every request gets what it
/// asks for (the flow is then for clients that insist on tokens).
/// </summary>
internal static class TokenEndpoint
{
    public static async Task HandleAsync(HttpContext context, TokenService tokens, Htpasswd? users)
    {
        string subject = "anonymous";
        bool trusted = users is null;
        if (AccessControl.BasicUser(context.Request.Headers.Authorization) is { } user)
        {
            if (users is null || !users.Verify(user.Name, user.Password))
            {
                if (users is not null)
                {
                    context.Response.Headers.WWWAuthenticate = Challenge.Basic("images-registry-token").ToString();
                    await Responses.ErrorAsync(context, new RegistryException(ErrorCode.Unauthorized, $"wrong user name or password for {user.Name}"));
                    return;
                }
            }
            else trusted = true;
            subject = user.Name;
        }
        var asked = context.Request.Query["scope"].SelectMany(s => AccessScope.ParseList(s)).ToList();
        var granted = asked
            .Select(s => trusted ? s : new AccessScope(s.Type, s.Name, new SortedSet<string>(s.Actions.Where(a => a == AccessScope.Pull), StringComparer.Ordinal)))
            .Where(s => s.Actions.Count > 0)
            .ToList();
        string token = tokens.Issue(subject, granted);
        await Responses.JsonAsync(context.Response, new Dictionary<string, object>
        {
            ["token"] = token,
            ["access_token"] = token,
            ["expires_in"] = (int)tokens.Lifetime.TotalSeconds,
            ["issued_at"] = DateTimeOffset.UtcNow.ToString("O"),
        });
    }
}
