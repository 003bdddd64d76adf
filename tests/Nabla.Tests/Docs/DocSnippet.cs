namespace Nabla.Tests.Docs;

/// <summary>One ```csharp block of a Markdown file.</summary>
/// <param name="Number">1-based position among the file's C# blocks.</param>
/// <param name="Section">The text of the nearest heading above the block, without its #s.</param>
/// <param name="FirstLine">The 1-based line of the file on which the block's code starts.</param>
/// <param name="Code">The code.</param>
internal sealed record DocSnippet(int Number, string Section, int FirstLine, string Code);
