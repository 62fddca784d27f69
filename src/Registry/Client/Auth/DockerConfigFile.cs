using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Images.Platform;

namespace Images.Registry.Client.Auth;

/// <summary>
/// Credentials kept the way docker keeps them: <c>config.json</c> with <c>{"auths": {"host": {"auth": base64("user:pass")}}}</c>,
/// in <c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>; so credentials from <c>docker login</c>
/// work here and the reverse. Writing keeps every other field of the file (credsStore, proxies, …) as it was, and
/// replaces the file atomically with mode 0600.
/// </summary>
public sealed class DockerConfigFile : ICredentialSource
{
    /// <summary>The key docker uses for Docker Hub.</summary>
    public const string DockerHubKey = "https://index.docker.io/v1/";

    public DockerConfigFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    /// <summary>The file docker would use: <c>$DOCKER_CONFIG/config.json</c>, else <c>$HOME/.docker/config.json</c>.</summary>
    public static DockerConfigFile Default()
    {
        string? dir = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        if (string.IsNullOrEmpty(dir))
        {
            string home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            dir = System.IO.Path.Combine(home, ".docker");
        }
        return new DockerConfigFile(System.IO.Path.Combine(dir, "config.json"));
    }

    /// <summary>The key of <paramref name="registry"/> in <c>auths</c>: docker's Hub URL for docker.io, else the host.</summary>
    public static string KeyOf(string registry) =>
        registry is "docker.io" or "index.docker.io" or "registry-1.docker.io" ? DockerHubKey : registry;

    public RegistryCredential? Find(string registry)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        if (Read()?["auths"] is not JsonObject auths) return null;
        string key = KeyOf(registry);
        foreach (var (name, value) in auths)
        {
            if (!SameRegistry(name, key) || value is not JsonObject entry) continue;
            if (entry["auth"]?.GetValue<string>() is { Length: > 0 } auth) return Decode(auth, name);
            if (entry["username"]?.GetValue<string>() is { } user && entry["password"]?.GetValue<string>() is { } password)
                return new RegistryCredential(user, password);
        }
        return null;
    }

    /// <summary>Stores (replacing) the credential of <paramref name="registry"/>.</summary>
    public void Store(string registry, RegistryCredential credential)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        ArgumentNullException.ThrowIfNull(credential);
        if (credential.Username.Contains(':'))
            throw new ArgumentException("a user name cannot contain ':' (docker's auth field is user:password)", nameof(credential));
        var root = Read() ?? new JsonObject();
        if (root["auths"] is not JsonObject auths) root["auths"] = auths = new JsonObject();
        RemoveKeys(auths, KeyOf(registry));
        auths[KeyOf(registry)] = new JsonObject
        {
            ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")),
        };
        Write(root);
    }

    /// <summary>Removes the credential of <paramref name="registry"/>; false when there was none.</summary>
    public bool Remove(string registry)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        if (Read() is not { } root || root["auths"] is not JsonObject auths) return false;
        if (!RemoveKeys(auths, KeyOf(registry))) return false;
        Write(root);
        return true;
    }

    private static bool RemoveKeys(JsonObject auths, string key)
    {
        var names = auths.Select(p => p.Key).Where(name => SameRegistry(name, key)).ToList();
        foreach (var name in names) auths.Remove(name);
        return names.Count > 0;
    }

    /// <summary>docker writes some keys as URLs (<c>https://host/v1/</c>): compare hosts.</summary>
    private static bool SameRegistry(string name, string key) =>
        name == key || (key != DockerHubKey && HostOf(name) == key);

    private static string HostOf(string name)
    {
        string host = name;
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) host = host[(scheme + 3)..];
        int slash = host.IndexOf('/');
        return slash >= 0 ? host[..slash] : host;
    }

    private RegistryCredential Decode(string auth, string key)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
        }
        catch (FormatException)
        {
            throw new FormatException($"{Path}: the auth of \"{key}\" is not base64; log in again (images login {key})");
        }
        int colon = text.IndexOf(':');
        if (colon < 0) throw new FormatException($"{Path}: the auth of \"{key}\" is not user:password; log in again (images login {key})");
        return new RegistryCredential(text[..colon], text[(colon + 1)..]);
    }

    private JsonObject? Read()
    {
        if (!File.Exists(Path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(Path)) as JsonObject
                ?? throw new FormatException($"{Path} is not a JSON object; fix or remove it");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{Path} is not valid JSON ({e.Message}); fix or remove it", e);
        }
    }

    private void Write(JsonObject root)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        string temp = $"{Path}.tmp-{Environment.ProcessId}";
        try
        {
            using (var file = new FileStream(temp, new FileStreamOptions
                   {
                       Mode = FileMode.Create, Access = FileAccess.Write,
                       UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                   }))
            {
                file.Write(Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
