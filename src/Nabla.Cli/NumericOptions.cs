using System.CommandLine;
using System.Globalization;

namespace Nabla.Cli;

/// <summary>Number options whose parse errors read well ("--lr: 'abc' is not a number") instead of naming .NET types.</summary>
internal static class NumericOptions
{
    public static Option<double?> Double(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return value;
            result.AddError($"{name}: '{text}' is not a number");
            return null;
        },
    };

    public static Option<int?> Int(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)) return value;
            result.AddError($"{name}: '{text}' is not a whole number");
            return null;
        },
    };
}
