using System.CommandLine;
using Images.Archive;
using Images.Drivers;
using Images.Store;
using Images.Store.Catalog;
using Images.Store.Content;

namespace Images.Cli;

/// <summary>
/// What every command shares: the global options (--root, --driver, --log-level), the store they select
/// (opened once, on first use), and the way failures are reported.
/// </summary>
internal sealed class CliContext : IDisposable
{
    public const string DefaultRoot = "/var/lib/images";

    private readonly Option<string?> _root = new("--root")
    {
        Description = "Store root directory (env IMAGES_ROOT; default /var/lib/images)",
        Recursive = true,
    };

    private readonly Option<string?> _driver = new("--driver")
    {
        Description = "Graph driver: overlay, btrfs, aufs, devicemapper or vfs (env IMAGES_DRIVER; default: the first that works here)",
        Recursive = true,
    };

    private readonly Option<string> _logLevel = new("--log-level")
    {
        Description = "debug, info, warn or error",
        Recursive = true,
        DefaultValueFactory = _ => "info",
    };

    private ParseResult? _parse;
    private LocalStore? _store;

    public TextWriter Out { get; } = Console.Out;
    public TextWriter Error { get; } = Console.Error;

    public void AddGlobalOptions(RootCommand root)
    {
        _logLevel.AcceptOnlyFromAmong("debug", "info", "warn", "error");
        root.Add(_root);
        root.Add(_driver);
        root.Add(_logLevel);
    }

    public bool Debug => _parse?.GetValue(_logLevel) == "debug";

    public string RootPath(ParseResult parse) =>
        parse.GetValue(_root) ?? NonEmpty(Environment.GetEnvironmentVariable("IMAGES_ROOT")) ?? DefaultRoot;

    public string? DriverName(ParseResult parse) =>
        parse.GetValue(_driver) ?? NonEmpty(Environment.GetEnvironmentVariable("IMAGES_DRIVER"));

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>The store the global options select, opened on first use.</summary>
    public LocalStore Store(ParseResult parse)
    {
        _parse = parse;
        return _store ??= LocalStore.Open(new StoreOptions { Root = RootPath(parse), Driver = DriverName(parse) });
    }

    /// <summary>Reports a failure on stderr as one line (with the stack at --log-level debug) and returns the exit code.</summary>
    public int Fail(Exception e)
    {
        var inner = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : e;
        string kind = inner switch
        {
            ImageNotFoundException or BlobNotFoundException => "",
            FormatException => "invalid input: ",
            ArchiveException => "bad archive: ",
            DigestMismatchException => "digest mismatch: ",
            DriverException => "driver: ",
            UnauthorizedAccessException => "permission denied: ",
            IOException => "I/O error: ",
            UsageException => "",
            _ => "",
        };
        Error.WriteLine($"images: {kind}{inner.Message}");
        if (Debug) Error.WriteLine(inner);
        return inner is UsageException u ? u.ExitCode : 1;
    }

    public void Dispose() => _store?.Dispose();
}

/// <summary>A wrong use of a command: its message is shown as is.</summary>
internal sealed class UsageException(string message, int exitCode = 2) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
