namespace Nabla.Cli;

/// <summary>An option value that parses but makes no sense (a negative learning rate, an unknown dataset).
/// The command prints its message as a one-line error and exits with code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
