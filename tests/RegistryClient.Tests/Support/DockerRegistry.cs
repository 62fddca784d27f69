using System.Diagnostics;
using Images.Drivers.Tests;

namespace Images.Registry.Client.Tests.Support;

/// <summary>
/// Debian's reference registry (<c>docker-registry</c>, distribution 2.8) on a free 127.0.0.1 port with its own temp
/// storage; optional htpasswd or token auth. Disposing kills it by PID and deletes its storage.
/// </summary>
public sealed class DockerRegistry : IDisposable
{
    private readonly ScratchDirectory _dir = new("docker-registry-");
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private DockerRegistry(Func<string, string> authSection)
    {
        Port = FreePort.Pick();
        string config = _dir.Combine("config.yml");
        File.WriteAllText(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {_dir.Combine("storage")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{Port}
            {authSection(_dir.Path)}
            """);
        var info = new ProcessStartInfo("docker-registry")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add(config);
        try
        {
            _process = Process.Start(info) ?? throw new InvalidOperationException("docker-registry did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            _dir.Dispose();
            throw new InvalidOperationException("docker-registry is not installed: apt-get install docker-registry (test.sh does)", e);
        }
        _process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        _stderr = _process.StandardError.ReadToEndAsync();
        WaitUntilListening();
    }

    public int Port { get; }

    /// <summary>host:port, as references name it.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public string Directory => _dir.Path;

    public static DockerRegistry Start() => new(_ => "");

    /// <summary>With basic auth: one user in a bcrypt htpasswd file made by <c>htpasswd -B</c>.</summary>
    public static DockerRegistry StartWithBasicAuth(string user, string password) => new(dir =>
    {
        string file = Path.Combine(dir, "htpasswd");
        string line = Images.Drivers.Common.ExternalCommand.Run("make an htpasswd file (apache2-utils)", "htpasswd", "-Bbn", user, password).Trim();
        File.WriteAllText(file, line + "\n");
        return $"""
            auth:
              htpasswd:
                realm: test-realm
                path: {file}
            """;
    });

    /// <summary>With token auth: tokens from <paramref name="realm"/>, verified against its certificate.</summary>
    public static DockerRegistry StartWithTokenAuth(TokenRealm realm)
    {
        return new DockerRegistry(_ => $"""
            auth:
              token:
                realm: {realm.Url}
                service: {TokenRealm.Service}
                issuer: {TokenRealm.Issuer}
                rootcertbundle: {realm.CertificatePath}
            """);
    }

    private void WaitUntilListening()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                string error = _stderr.Result;
                Dispose();
                throw new InvalidOperationException($"docker-registry exited with {_process.ExitCode}: {error}");
            }
            try
            {
                using var response = http.GetAsync($"http://{Host}/v2/").Result;
                return; // 200 or 401: it answers
            }
            catch (AggregateException) { Thread.Sleep(50); }
        }
        Dispose();
        throw new TimeoutException($"docker-registry did not answer on {Host} within 20 s");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException) { } // already gone
        _process.Dispose();
        _dir.Dispose();
    }
}
