namespace Nabla.Fuzz.Engine;

/// <summary>A large input generated straight to a file (tens of megabytes, or a small file that claims gigabytes),
/// read once through a reader's path entry point by <c>nabla-fuzz large</c>, which measures the time and memory it
/// takes: the bounds docs/fuzzing.md states per reader.</summary>
/// <param name="Target">The file target whose reader reads it (e.g. <c>csv-file</c>).</param>
/// <param name="Description">What the input is, in a few words, for the table.</param>
/// <param name="FileName">The file's (or a model's folder's) name.</param>
/// <param name="Write">Writes the input to the path it is given.</param>
/// <param name="Read">Reads it instead of the target's reader, when the input needs other arguments (a memory budget).</param>
internal sealed record LargeInput(string Target, string Description, string FileName, Action<string> Write, Action<string>? Read = null);
