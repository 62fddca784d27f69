using System.Diagnostics;
using Images.Runtime;

// Start-to-exit time of `true` in a container on a prepared busybox rootfs (tmpfs), for:
//   builtin  - ProcessRuntimes.Open("builtin").Run  (unshare + timeout + our .NET init, then execve)
//   runc     - ProcessRuntimes.Open("runc").Run     (bundle written per run + `runc run`)
//   runc-raw - `runc run` of one bundle prepared beforehand (the floor: runc alone)
// Usage: RuntimeBench ROOTFS BUNDLE [iterations]
string rootfs = args[0];
string bundle = args[1];
int iterations = args.Length > 2 ? int.Parse(args[2]) : 20;

var spec = new ProcessSpec { Args = ["true"] };
var io = ProcessIo.Pipes(null, Stream.Null, Stream.Null);
var rows = new List<(string Name, Func<int> Run)>
{
    ("builtin", () => ProcessRuntimes.Open("builtin").Run(rootfs, spec, io)),
    ("runc", () => ProcessRuntimes.Open("runc").Run(rootfs, spec, io)),
    ("runc-raw", () =>
    {
        var psi = new ProcessStartInfo("runc") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--root", "/run/images-runc-bench", "run", "--bundle", bundle, "bench-" + Guid.NewGuid().ToString("N")[..8] })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }),
};

Console.WriteLine($"{"runtime",-10} {"runs",5} {"median ms",10} {"mean ms",8} {"min ms",7} {"max ms",7}");
foreach (var (name, run) in rows)
{
    if (run() != 0) throw new InvalidOperationException($"{name}: `true` failed"); // warm-up (JIT, page cache)
    var times = new List<double>();
    for (int i = 0; i < iterations; i++)
    {
        var sw = Stopwatch.StartNew();
        int code = run();
        times.Add(sw.Elapsed.TotalMilliseconds);
        if (code != 0) throw new InvalidOperationException($"{name}: `true` exited {code}");
    }
    times.Sort();
    Console.WriteLine($"{name,-10} {iterations,5} {times[times.Count / 2],10:F1} {times.Average(),8:F1} {times[0],7:F1} {times[^1],7:F1}");
}
