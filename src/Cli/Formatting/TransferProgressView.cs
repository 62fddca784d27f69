using System.Diagnostics;
using Images.Core.Digests;
using Images.Registry.Client;

namespace Images.Cli.Formatting;

/// <summary>
/// Shows a push or pull as Docker does: on a terminal, one line per blob redrawn in place (status, a bar, bytes and
/// rate); otherwise one plain line per blob when it is done ("abcdef123456: Pushed").
/// </summary>
internal sealed class TransferProgressView : ITransferProgress
{
    private const int BarWidth = 40;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter _out;
    private readonly bool _terminal;
    private readonly Lock _gate = new();
    private readonly List<Row> _rows = [];
    private readonly Dictionary<Digest, Row> _byDigest = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastDraw = TimeSpan.MinValue;
    private int _drawnLines;

    public TransferProgressView(TextWriter output, bool terminal)
    {
        _out = output;
        _terminal = terminal;
    }

    private sealed class Row(Digest digest, long size)
    {
        public Digest Digest { get; } = digest;
        public long Size { get; } = size;
        public long Done;
        public string Status = "";
        public bool Finished;
        public TimeSpan Started;
        public TimeSpan Ended;
    }

    public void Start(Digest digest, long size, string status)
    {
        lock (_gate)
        {
            if (!_byDigest.TryGetValue(digest, out var row))
            {
                row = new Row(digest, size) { Started = _clock.Elapsed };
                _byDigest[digest] = row;
                _rows.Add(row);
            }
            row.Status = status;
            Draw(force: true);
        }
    }

    public void Advance(Digest digest, long bytes)
    {
        lock (_gate)
        {
            if (!_byDigest.TryGetValue(digest, out var row)) return;
            row.Done = Math.Max(0, row.Done + bytes);
            if (row.Status is "Preparing" or "Waiting") row.Status = "Transferring";
            Draw(force: false);
        }
    }

    public void Finish(Digest digest, string status)
    {
        lock (_gate)
        {
            if (!_byDigest.TryGetValue(digest, out var row)) return;
            if (row.Finished && row.Status == status) return;
            row.Status = status;
            row.Finished = true;
            row.Ended = _clock.Elapsed;
            if (_terminal) Draw(force: true);
            else if (status != "Download complete") _out.WriteLine($"{digest.Short}: {status}");
        }
    }

    /// <summary>Leaves the last frame on screen (call once the transfer is over, before printing more).</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_terminal) Draw(force: true);
            _drawnLines = 0;
        }
    }

    private void Draw(bool force)
    {
        if (!_terminal) return;
        var now = _clock.Elapsed;
        if (!force && now - _lastDraw < RedrawInterval) return;
        _lastDraw = now;
        if (_drawnLines > 0) _out.Write($"\x1b[{_drawnLines}A");
        foreach (var row in _rows) _out.Write($"\r\x1b[2K{Line(row, now)}\n");
        _drawnLines = _rows.Count;
        _out.Flush();
    }

    private static string Line(Row row, TimeSpan now)
    {
        string id = row.Digest.Short;
        if (row.Finished || row.Done == 0 || row.Size <= 0) return $"{id}: {row.Status}";
        double fraction = Math.Clamp((double)row.Done / row.Size, 0, 1);
        int filled = (int)(fraction * BarWidth);
        string bar = new string('=', Math.Max(0, filled - 1)) + (filled > 0 ? ">" : "") + new string(' ', BarWidth - filled);
        double seconds = Math.Max((now - row.Started).TotalSeconds, 0.001);
        return $"{id}: {row.Status} [{bar}] {Units.Size(row.Done)}/{Units.Size(row.Size)} {Units.Size((long)(row.Done / seconds))}/s";
    }
}
