namespace Images.Deploy.Protocol;

/// <summary>
/// The node API a target's <c>images serve</c> offers next to <c>/v2/</c>, behind the same auth. Bytes travel through
/// the registry API (into the repository <see cref="Repository"/> of the app); these routes only steer.
/// <code>
/// POST /node/v1/apps/{app}/prepare     PrepareRequest  -> PrepareResponse   link the blobs the target has; list the missing
/// POST /node/v1/apps/{app}/releases    DeployRequest   -> ReleaseReport     make, start, health-check and switch to a release
/// POST /node/v1/apps/{app}/rollback                    -> ReleaseReport     switch back to the previous release
/// GET  /node/v1/apps                                   -> AppInfo[]
/// </code>
/// Errors: a <see cref="NodeError"/> body with 400 (bad request), 404 (no such app or blob), 409 (another deploy of the
/// app is running) or 422 (the release did not become healthy).
/// </summary>
public static class NodeRoutes
{
    public const string Prefix = "/node/v1";
    public const string Apps = Prefix + "/apps";

    public static string Prepare(string app) => $"{Apps}/{Uri.EscapeDataString(app)}/prepare";
    public static string Releases(string app) => $"{Apps}/{Uri.EscapeDataString(app)}/releases";
    public static string Rollback(string app) => $"{Apps}/{Uri.EscapeDataString(app)}/rollback";

    /// <summary>The registry repository an app's images are pushed to on its target.</summary>
    public static string Repository(string app) => $"apps/{app.ToLowerInvariant()}";
}
