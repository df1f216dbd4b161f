// Tailwind CSS v3 configuration for Alpaca Wrapper.
// Built by `npm run build` (see package.json); the output is committed at
// static/css/app.css and embedded into the Go binary.
const defaultTheme = require('tailwindcss/defaultTheme');
const forms = require('@tailwindcss/forms');

/** @type {import('tailwindcss').Config} */
module.exports = {
  content: [
    './views/**/*.templ',
    './views/**/*.go',
    './app/**/*.go',
    './static/js/app.js',
  ],
  darkMode: 'class',
  theme: {
    extend: {
      colors: {
        // Brand: a calm indigo-violet that stays distinct from the
        // green/red used for price moves.
        brand: {
          50: '#eef2ff',
          100: '#e0e7ff',
          200: '#c7d2fe',
          300: '#a5b4fc',
          400: '#818cf8',
          500: '#6366f1',
          600: '#4f46e5',
          700: '#4338ca',
          800: '#3730a3',
          900: '#312e81',
          950: '#1e1b4b',
        },
        // Surface colours for the dark theme.
        ink: {
          800: '#151a2d',
          850: '#111527',
          900: '#0c1020',
          950: '#070a16',
        },
      },
      fontFamily: {
        // System fonts only: no web-font downloads.
        sans: [
          'system-ui',
          '-apple-system',
          '"Segoe UI"',
          'Roboto',
          '"Helvetica Neue"',
          '"Noto Sans"',
          '"Liberation Sans"',
          'Arial',
          'sans-serif',
          ...defaultTheme.fontFamily.sans.filter((f) => /emoji|symbol/i.test(f)),
        ],
        mono: [
          'ui-monospace',
          'SFMono-Regular',
          '"SF Mono"',
          'Menlo',
          'Consolas',
          '"Liberation Mono"',
          'monospace',
        ],
      },
      maxWidth: {
        '8xl': '88rem',
      },
      boxShadow: {
        card: '0 1px 2px 0 rgb(15 23 42 / 0.04), 0 1px 3px 0 rgb(15 23 42 / 0.06)',
        glow: '0 10px 40px -10px rgb(99 102 241 / 0.45)',
      },
    },
  },
  plugins: [forms({ strategy: 'class' })],
};
