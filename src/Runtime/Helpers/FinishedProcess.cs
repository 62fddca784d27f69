using System.Text;

namespace Images.Runtime.Helpers;

/// <summary>A process that never started because the runtime knew the outcome first (a missing command: 127).</summary>
internal sealed class FinishedProcess(int exitCode) : IRunningProcess
{
    public int Pid => 0;

    public static FinishedProcess Failed(ProcessIo io, (string Message, int ExitCode) failure)
    {
        string line = "images: " + failure.Message + "\n";
        if (io.IsInherited) Console.Error.Write(line);
        else
        {
            io.Stderr!.Write(Encoding.UTF8.GetBytes(line));
            io.Stderr.Flush();
        }
        return new FinishedProcess(failure.ExitCode);
    }

    public void Signal(int signal) { }

    public int Wait(CancellationToken cancel = default) => exitCode;

    public void Dispose() { }
}
