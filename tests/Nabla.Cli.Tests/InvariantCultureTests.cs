using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Nabla.Cli.Tests;

/// <summary>Every message and printed figure uses the invariant culture, so that "96.10%" never reads "96,10 %" on a
/// machine set to another language. Calls such as <c>ToString("F2")</c> or <c>string.Format</c> without a culture are
/// compile errors in src/ (CA1305, .editorconfig); the analyzer does not look inside interpolated strings, so this test
/// does: it compiles each project in src/ and finds every interpolated string with a culture-sensitive hole (a
/// floating-point number or a date, or any number with a format such as N0) that is not formatted invariantly.</summary>
public sealed class InvariantCultureTests
{
    private static readonly string[] Projects = ["src/Nabla", "src/Nabla.Pictures", "src/Nabla.Cli"];

    [Fact]
    public void Every_interpolated_number_in_src_is_formatted_with_the_invariant_culture()
    {
        var root = RepositoryRoot();
        var offenders = Projects.SelectMany(p => CultureSensitiveInterpolations(Path.Combine(root, p))).ToList();
        Assert.True(offenders.Count == 0, $"{offenders.Count} interpolated strings format numbers in the current culture " +
            "(wrap them in string.Create(CultureInfo.InvariantCulture, $\"…\")):\n" + string.Join('\n', offenders.Select(o => Path.GetRelativePath(root, o))));
    }

    [Fact]
    public void The_check_finds_a_current_culture_hole_and_accepts_the_invariant_forms()
    {
        var source = """
            using System.Globalization;
            static class Probe
            {
                static string Bad(double x) => $"loss {x}";
                static string BadCount(int n) => $"{n:N0} rows";
                static string Hex(int n) => $"0x{n:X8}, {n:D3}";
                static string Good(double x) => string.Create(CultureInfo.InvariantCulture, $"loss {x}");
                static string AlsoGood(double x) => FormattableString.Invariant($"loss {x:F2}");
                static string Count(int n, string s) => $"{n} rows of {s}";
                static void Append(System.Text.StringBuilder sb, double x) => sb.Append(CultureInfo.InvariantCulture, $"{x}");
            }
            """;
        var found = CultureSensitiveInterpolations([CSharpSyntaxTree.ParseText(source, path: "Probe.cs")]);
        Assert.Equal(2, found.Count);
        Assert.Contains("Probe.cs:4", found[0], StringComparison.Ordinal);   // Hex (line 6) is not culture-sensitive
        Assert.Contains("Probe.cs:5", found[1], StringComparison.Ordinal);
    }

    private static List<string> CultureSensitiveInterpolations(string projectDirectory)
    {
        var files = Directory.EnumerateFiles(projectDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        // Compiled under the project's own name, so that the internals other projects show it are visible, and without
        // its built assembly, whose types would otherwise be defined twice.
        string name = Path.GetFileName(projectDirectory);
        return CultureSensitiveInterpolations([.. files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), path: f))], name);
    }

    private static List<string> CultureSensitiveInterpolations(IReadOnlyList<SyntaxTree> trees, string assemblyName = "Probe")
    {
        // The SDK's implicit usings, which a project's generated GlobalUsings.g.cs would give.
        var globalUsings = CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading; global using System.Threading.Tasks;");
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll").Where(p => Path.GetFileNameWithoutExtension(p) != assemblyName))
            .DistinctBy(Path.GetFileName)
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(assemblyName, [globalUsings, .. trees], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

        var found = new List<string>();
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var text in tree.GetRoot().DescendantNodes().OfType<InterpolatedStringExpressionSyntax>())
            {
                if (IsFormattedInvariantly(text, model)) continue;
                foreach (var hole in text.Contents.OfType<InterpolationSyntax>())
                {
                    var type = model.GetTypeInfo(hole.Expression).Type;
                    if (!IsCultureSensitive(type, hole.FormatClause?.FormatStringToken.ValueText)) continue;
                    var line = tree.GetLineSpan(hole.Span).StartLinePosition.Line + 1;
                    found.Add(string.Create(CultureInfo.InvariantCulture, $"{tree.FilePath}:{line}: {{{hole.Expression}}} ({type})"));
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>Whether the string is formatted with a culture: an argument of <c>string.Create(provider, …)</c>,
    /// <c>FormattableString.Invariant</c> or any call that also takes an <see cref="IFormatProvider"/>.</summary>
    private static bool IsFormattedInvariantly(InterpolatedStringExpressionSyntax text, SemanticModel model)
    {
        SyntaxNode node = text;
        while (node.Parent is ParenthesizedExpressionSyntax or ConditionalExpressionSyntax) node = node.Parent;
        if (node.Parent is not ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax call } }) return false;
        if (model.GetSymbolInfo(call).Symbol is not IMethodSymbol method) return false;
        if (method.Name == "Invariant" && method.ContainingType.Name == nameof(FormattableString)) return true;
        return method.Parameters.Any(p => p.Type.Name == nameof(IFormatProvider));
    }

    /// <summary>Floating-point numbers and dates always format by culture (the decimal separator); integers only with a
    /// format that brings separators or a currency (N0, C, F2, E; not X8 or D3). A type the compilation cannot resolve
    /// counts as not sensitive.</summary>
    private static bool IsCultureSensitive(ITypeSymbol? type, string? format)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable) type = nullable.TypeArguments[0];
        if (type is null) return false;
        switch (type.SpecialType)
        {
            case SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal or SpecialType.System_DateTime:
                return true;
            case SpecialType.System_Int16 or SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_UInt16
                or SpecialType.System_UInt32 or SpecialType.System_UInt64 or SpecialType.System_Byte or SpecialType.System_SByte:
                return format is { Length: > 0 } f && !"XxDd".Contains(f[0], StringComparison.Ordinal);
            default:
                return type.Name is "Half" or "DateTimeOffset" or "TimeSpan" && type.ContainingNamespace?.Name == "System";
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nabla.slnx"))) return dir.FullName;
        }

        throw new DirectoryNotFoundException($"no Nabla.slnx above {AppContext.BaseDirectory}");
    }
}
