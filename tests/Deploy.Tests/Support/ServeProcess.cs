using System.Diagnostics;

namespace Images.Cli.Tests;

/// <summary>
/// <c>images serve --listen 127.0.0.1:0</c> run as its own process on a store root, as a target host runs it; knows
/// the address it picked. Disposing kills it (by its PID) if it still runs.
/// </summary>
public sealed class ServeProcess : IDisposable
{
    private ServeProcess(Process process, Uri address)
    {
        Process = process;
        Address = address;
    }

    public Process Process { get; }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri Address { get; }

    /// <summary>HOST:PORT, as <c>--to</c> and image references want it.</summary>
    public string HostPort => $"{Address.Host}:{Address.Port}";

    public static async Task<ServeProcess> StartAsync(CliRunner cli, params string[] extra)
    {
        var process = Process.Start(cli.StartInfo(["serve", "--listen", "127.0.0.1:0", .. extra]))!;
        try
        {
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                int at = line.IndexOf(" on http://", StringComparison.Ordinal);
                if (line.StartsWith("serving ", StringComparison.Ordinal) && at > 0)
                {
                    _ = process.StandardOutput.ReadToEndAsync(); // keep the pipes drained
                    _ = process.StandardError.ReadToEndAsync();
                    return new ServeProcess(process, new Uri(line[(at + 4)..]));
                }
            }
            throw new InvalidOperationException($"images serve exited without serving: {await process.StandardError.ReadToEndAsync()}");
        }
        catch
        {
            if (!process.HasExited) process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown, no cleanup, as a crash.</summary>
    public void Kill()
    {
        if (!Process.HasExited) Process.Kill();
        Process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        Process.Dispose();
    }
}
