using System.CommandLine;
using System.Globalization;
using System.Numerics;

namespace Nabla.Cli;

/// <summary>Number options whose parse errors read well ("--lr: 'abc' is not a number") instead of naming .NET types.</summary>
internal static class NumericOptions
{
    public static Option<double?> Double(string name, string description) =>
        Create<double>(name, description, NumberStyles.Float, "a number");

    public static Option<int?> Int(string name, string description) =>
        Create<int>(name, description, NumberStyles.AllowLeadingSign, "a whole number");

    private static Option<T?> Create<T>(string name, string description, NumberStyles styles, string what)
        where T : struct, INumberBase<T> => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (T.TryParse(text, styles, CultureInfo.InvariantCulture, out T value)) return value;
            result.AddError($"{name}: '{text}' is not {what}");
            return null;
        },
    };
}
