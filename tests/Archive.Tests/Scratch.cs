using System.Diagnostics;
using Images.Platform;

namespace Images.Archive.Tests;

/// <summary>
/// A temp directory for one test, removed on dispose. Holds <see cref="Target"/> (where layers go) and, next to
/// it, <see cref="Sentinel"/>: a directory no apply may ever touch.
/// </summary>
public sealed class Scratch : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("archive-tests-").FullName;
    public string Target => Path.Combine(Root, "target");
    public string Sentinel => Path.Combine(Root, "sentinel");
    private const string SentinelText = "do not touch";

    public Scratch()
    {
        Directory.CreateDirectory(Target);
        Directory.CreateDirectory(Sentinel);
        File.WriteAllText(Path.Combine(Sentinel, "keep"), SentinelText);
    }

    public string Dir(string name) => Directory.CreateDirectory(Path.Combine(Root, name)).FullName;

    /// <summary>
    /// The sentinel directory holds exactly its one file, unchanged and not hard-linked, and no entry named
    /// <c>pwned</c> (the payload name of every hostile test) exists outside the target.
    /// </summary>
    public void AssertNothingEscaped()
    {
        Assert.Equal(["keep"], Directory.GetFileSystemEntries(Sentinel).Select(p => Path.GetFileName(p)!).ToArray());
        string keep = Path.Combine(Sentinel, "keep");
        Assert.Equal(SentinelText, File.ReadAllText(keep));
        Assert.Equal(1u, Files.Lstat(keep).LinkCount);
        var outside = Walk(Root).Where(p => Path.GetFileName(p).StartsWith("pwned", StringComparison.Ordinal))
            .Where(p => !p.StartsWith(Target + "/", StringComparison.Ordinal))
            .Concat(Directory.EnumerateFileSystemEntries(Path.GetTempPath(), "pwned*"))
            .Concat(Directory.EnumerateFileSystemEntries("/", "pwned*"));
        Assert.Empty(outside);
    }

    /// <summary>Every path below <paramref name="root"/>, never following symlinks.</summary>
    public static IEnumerable<string> Walk(string root)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(root))
        {
            yield return path;
            if (Files.Lstat(path).Kind == FileKind.Directory)
                foreach (var inner in Walk(path)) yield return inner;
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    /// <summary>Runs a tool and returns its stdout; fails the test with stderr when it fails.</summary>
    public static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr}");
        return stdout;
    }
}
