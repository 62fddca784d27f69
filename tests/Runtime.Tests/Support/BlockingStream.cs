using System.Text;

namespace Images.Runtime.Tests.Support;

/// <summary>A write-only stream a test can wait on until some text has arrived (a process saying it is ready).</summary>
public sealed class BlockingStream : Stream
{
    private readonly StringBuilder _text = new();
    private readonly object _gate = new();

    public string Text { get { lock (_gate) return _text.ToString(); } }

    public void WaitFor(string text, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        lock (_gate)
        {
            while (!_text.ToString().Contains(text, StringComparison.Ordinal))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) throw new TimeoutException($"'{text}' did not arrive; got: {_text}");
                Monitor.Wait(_gate, left);
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (_gate)
        {
            _text.Append(Encoding.UTF8.GetString(buffer, offset, count));
            Monitor.PulseAll(_gate);
        }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
