namespace Nabla.Training;

/// <summary>A data-parallel run refused at its start, by every rank with the same message: ranks whose data or options
/// differ from rank 0's (the message names them), or global batches that cannot give every rank a row.</summary>
public sealed class RankSetupException : ArgumentException
{
    /// <summary>An exception with <paramref name="message"/>.</summary>
    public RankSetupException(string message)
        : base(message)
    {
    }

    /// <summary>An exception with no message.</summary>
    public RankSetupException()
    {
    }

    /// <summary>An exception with <paramref name="message"/> caused by <paramref name="inner"/>.</summary>
    public RankSetupException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
