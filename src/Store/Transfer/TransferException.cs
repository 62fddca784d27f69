namespace Images.Store.Transfer;

/// <summary>
/// An image archive cannot be loaded or saved: the message names the archive (or reference), what is wrong
/// and what to do. A failed load registers no image and no name.
/// </summary>
public sealed class TransferException : Exception
{
    public TransferException(string message) : base(message) { }

    public TransferException(string message, Exception inner) : base(message, inner) { }
}
