namespace Nabla.Data;

/// <summary>A data or model file is malformed: wrong magic number, truncated, inconsistent counts, bad values.
/// The message names the file and the problem.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>An exception with a message.</summary>
    public DataFormatException(string message)
        : base(message)
    {
    }

    /// <summary>An exception with a message and the exception that caused it.</summary>
    public DataFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>An exception with no message (prefer the other constructors).</summary>
    public DataFormatException()
    {
    }
}
