using System.Diagnostics;

namespace Images.Builder.Engine;

/// <summary>
/// The build's progress in Docker's classic form: <c>Step 3/9 : RUN …</c>, the step's output, <c> ---> Using cache</c>,
/// <c> ---> &lt;id&gt;</c> and the time the step took. Plain text: the same on a terminal and in a log.
/// </summary>
public sealed class BuildLog(TextWriter output)
{
    private readonly Stopwatch _step = new();

    public TextWriter Output { get; } = output;

    public void Step(int number, int total, string text)
    {
        _step.Restart();
        Output.WriteLine($"Step {number}/{total} : {text}");
    }

    public void Note(string text) => Output.WriteLine(text);

    public void UsingCache() => Output.WriteLine(" ---> Using cache");

    public void Done(string id) => Output.WriteLine($" ---> {id} ({_step.Elapsed.TotalSeconds:0.00}s)");

    public void Warning(string text) => Output.WriteLine($"[Warning] {text}");

    /// <summary>A stream that copies a RUN command's output to the log as it comes.</summary>
    public Stream OpenOutputStream() => new LogStream(Output);

    private sealed class LogStream(TextWriter writer) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => writer.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (writer) writer.Write(System.Text.Encoding.UTF8.GetString(buffer, offset, count));
        }
    }
}
