namespace Images.Store;

/// <summary>
/// Names a process across time: its pid plus its start time (field 22 of /proc/pid/stat), so a pid reused by a
/// later process is not mistaken for the one that left a record behind.
/// </summary>
public readonly record struct ProcessIdentity(int Pid, string StartTime)
{
    public static ProcessIdentity Current { get; } = Of(Environment.ProcessId) ?? new(Environment.ProcessId, "");

    /// <summary>The identity of a running process, or null when it does not exist.</summary>
    public static ProcessIdentity? Of(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        // The command name (field 2) is parenthesized and may contain spaces: count fields after its last ')'.
        int close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 2)..].Split(' ');
        return fields.Length > 19 ? new ProcessIdentity(pid, fields[19]) : null;
    }

    /// <summary>Whether the process this identity names still runs.</summary>
    public bool IsAlive => Of(Pid) is { } now && now.StartTime == StartTime;
}
