namespace Nabla.Training;

/// <summary>A data-parallel run refused at its start because a rank's data or options differ from rank 0's. Every rank
/// throws it, with the same message naming the ranks that differ.</summary>
public sealed class RankMismatchException : ArgumentException
{
    /// <summary>An exception with <paramref name="message"/>.</summary>
    public RankMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>An exception with no message.</summary>
    public RankMismatchException()
    {
    }

    /// <summary>An exception with <paramref name="message"/> caused by <paramref name="inner"/>.</summary>
    public RankMismatchException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
