namespace Nabla.Distributed;

/// <summary>MPI could not be loaded or a call failed; the message names the call and gives MPI's own text. An
/// <see cref="IOException"/>: the ranks' communication failed, as a file or a socket can.</summary>
public sealed class MpiException : IOException
{
    /// <summary>An exception with <paramref name="message"/>.</summary>
    public MpiException(string message)
        : base(message)
    {
    }

    /// <summary>An exception with no message.</summary>
    public MpiException()
    {
    }

    /// <summary>An exception with <paramref name="message"/> caused by <paramref name="inner"/>.</summary>
    public MpiException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
